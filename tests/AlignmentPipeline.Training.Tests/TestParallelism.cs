// Training tests seed and draw from libtorch's process-wide random generator (parameter init, dropout, data order),
// so two test classes running at once would interleave their draws and break bitwise comparisons. They run one at a
// time; each already uses the machine's cores through libtorch.
[assembly: Xunit.v3.Parallelization(Mode = Xunit.Sdk.ParallelMode.None)]
