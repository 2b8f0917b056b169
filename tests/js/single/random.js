// One file, deployed twice under two names (tests/e2e/javascript/deploy.rs):
// every instance starts from one snapshot of the engine, yet draws its own
// random numbers.
const drawnAtLoad = Math.random();

export default (request, response) => {
  return response.send({ drawnAtLoad, drawnNow: Math.random() });
};
