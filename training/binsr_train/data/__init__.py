"""Training data: which images, the MATLAB bicubic resize, cached aligned patches."""
