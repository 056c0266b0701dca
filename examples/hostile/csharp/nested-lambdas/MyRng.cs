// hostile: lambdas nested 24 deep, each an argument of an overloaded method: the compiler's overload
// resolution binds every lambda once per candidate of each enclosing one (3^24 bindings).
using static Autograder.KernelApi.Kernel;

static class MyRng
{
    static int M(System.Func<int, int> f) => 0;
    static int M(System.Func<string, int> f) => 0;
    static int M(System.Func<long, int> f) => 0;

    [module_init]
    static int my_rng_driver_init() =>
        M(a => M(b => M(c => M(d => M(e => M(f => M(g => M(h => M(i => M(j => M(k => M(l => M(m => M(n => M(o => M(p => M(q => M(r => M(s => M(t => M(u => M(v => M(w => M(x => 0))))))))))))))))))))))));
}
