//! `wasi:http/incoming-handler`: answer `hello` (text/plain) to every request.
//! The component equivalent of the `bench` module's On Request `hello`.

use std::io::Write as _;

use wasip2::http::types::{
    Fields, IncomingRequest, OutgoingBody, OutgoingResponse, ResponseOutparam,
};

wasip2::http::proxy::export!(Hello);

struct Hello;

impl wasip2::exports::http::incoming_handler::Guest for Hello {
    fn handle(_request: IncomingRequest, response_out: ResponseOutparam) {
        let headers = Fields::from_list(&[(
            "content-type".to_string(),
            b"text/plain".to_vec(),
        )])
        .expect("valid header");
        let response = OutgoingResponse::new(headers);
        let body = response.body().expect("response body");
        ResponseOutparam::set(response_out, Ok(response));

        let mut out = body.write().expect("body stream");
        out.write_all(b"hello").expect("write body");
        out.flush().expect("flush body");
        drop(out);
        OutgoingBody::finish(body, None).expect("finish body");
    }
}
