const pad = require('left-pad');
export default (request, response) => response.send(pad('x', 3));
