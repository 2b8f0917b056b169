export default (request) => {
    request.message.greeting = 'hello ' + request.message.name;
    return request.ok();
};
