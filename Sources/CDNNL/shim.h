#include <oneapi/dnnl/dnnl.h>

// Function-like macros do not import into Swift; these inline wrappers expose the two the engine needs.

/// Execute-argument id of post-op `index`'s extra input (prelu slopes, binary operand): DNNL_ARG_ATTR_MULTIPLE_POST_OP.
static inline int binsr_dnnl_post_op_arg(int index, int arg) {
    return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | arg;
}

/// DNNL_MEMORY_ALLOCATE: let the library own the buffer of a new memory object.
static inline void *binsr_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }

/// libgomp, the threading runtime of Debian's oneDNN build (`ldd libdnnl.so`): the thread count of the calling
/// thread's next parallel regions, i.e. of the oneDNN primitives it executes (omp.h is gcc's, not on clang's path).
void omp_set_num_threads(int);
int omp_get_max_threads(void);
