// From https://www.pubnub.com/docs/serverless/functions/functions-apis/xhr-module
// ("Post request with JSON request payload"), unchanged: a Before Publish
// handler. The stored page shows its first 15 lines; the closing lines
// (the `.catch`) follow the page's plain POST example.
export default (event) => {
    const xhr = require('xhr');
    const http_options = {
        'method': 'POST',
        'headers': {
            'Content-Type': 'application/json'
        },
        'body': JSON.stringify({
            'body': 'Posting JSON!',
            'to': 'Someone Special!'
        })
    };

    const url = 'http://httpbin.org/post';

    return xhr.fetch(url, http_options)
        .then((resp) => {
            const body = JSON.parse(resp.body);
            console.log(body);
            return event.ok('Request succeeded');
        })
        .catch((err) => {
            console.log(err);
            return event.abort('Request failed');
        });
};
