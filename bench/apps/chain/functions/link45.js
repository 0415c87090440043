// Link 45 of the benchmark's chain of 50 functions: passes the hop count on to the next link.
export default (input, ctx) => ctx.call('link46', { hops: input.hops + 1 });
