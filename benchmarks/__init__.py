"""What is measured and how: the pyperf suite, profiling workloads and collectors."""
