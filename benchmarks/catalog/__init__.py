"""What is measured: the benchmark families (one record each) and the matrix of (family, variant, size) the suite runs."""
