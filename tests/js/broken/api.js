// Broken on purpose.
export default (request, response) => {
  return response.send({ unclosed: [1, 2 );
};
