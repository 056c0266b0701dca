// hostile: generic calls nested 17 deep double a tuple type at each level: each error message names a type
// of 2^17 ints (about 1 MB of text), once per line.
using static Autograder.KernelApi.Kernel;

static class MyRng
{
    static (T, T) F<T>(T t) => (t, t);

    [module_init]
    static int my_rng_driver_init()
    {
        int v0 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        int v1 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        int v2 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        int v3 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        int v4 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        int v5 = F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(F(1)))))))))))))))));
        return v0 + v1 + v2 + v3 + v4 + v5;
    }
}
