export default (request, response) => response.send('a');
