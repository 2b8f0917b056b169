// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/vault
// (also https://www.pubnub.com/docs/serverless/functions/functions-apis/vault-module),
// unchanged: an On Request handler.
export default (request, response) => {
    const xhr = require('xhr');
    const vault = require('vault');

    return vault.get('myApiKey').then((apiKey) => {
        const http_options = {
            method: 'GET',
            headers: { API_KEY: apiKey }
        };
        return xhr.fetch('https://httpbin.org/get', http_options).then((resp) => {
            return response.send('OK');
        });
    });
};
