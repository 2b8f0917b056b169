export default (request, response) => response.send('b');
