// jpeglib.h needs stdio.h (FILE) and stddef.h (size_t) first.
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <jerror.h>
