export default (request, response) => {
  response.headers['content-type'] = 'text/plain';
  return response.send('hello');
};
