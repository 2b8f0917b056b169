const db = require('kvstore');
export default (event) => db.incrCounter('ticks').then(() => event.ok());
