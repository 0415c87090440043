// Link 33 of the benchmark's chain of 50 functions: passes the hop count on to the next link.
export default (input, ctx) => ctx.call('link34', { hops: input.hops + 1 });
