// From https://www.pubnub.com/docs/serverless-sdk/modules-and-libraries/uuid,
// unchanged: a Before Publish handler (`req.ok(message)` replaces the message).
const { v4, validate, version } = require('uuid');

export default req => {
    const uuid = v4();
    return req.ok({
        v4: uuid,
        valid: validate(uuid),
        version: version(uuid),
    });
};
