// From https://www.pubnub.com/docs/serverless/functions/functions-apis/advanced-math-module
// (also https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/advanced-math).
// Each documented snippet runs unchanged in its own block; the wrapper sends
// back what it computes.
export default async (request, response) => {
  const computed = {};

  // ---- documented: getDistance (miles) ----
  {
    const advancedMath = require('advanced_math');
    const distanceInMiles = advancedMath.getDistance(43.7001100, -79.4163000, 37.7749300, -122.4194200);
    computed.distanceInMiles = distanceInMiles;
  }
  // ---- documented: deg2rad ----
  {
    const advancedMath = require('advanced_math');
    const radians = advancedMath.deg2rad(30);
    computed.radians = radians;
  }
  // ---- end of the documented code ----

  return response.send(computed);
};
