"""Networks (SRResNet, LapSRN, the SRGAN discriminator), their building blocks and the binary convolution."""
