"""Y-PSNR and the evaluation of a model on image pairs (the Python monitor)."""
