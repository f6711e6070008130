#include <oneapi/dnnl/dnnl.h>

// Function-like macros do not import into Swift; these inline wrappers expose the two the engine needs.

/// Execute-argument id of post-op `index`'s extra input (prelu slopes, binary operand): DNNL_ARG_ATTR_MULTIPLE_POST_OP.
static inline int binsr_dnnl_post_op_arg(int index, int arg) {
    return DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | arg;
}

/// DNNL_MEMORY_ALLOCATE: let the library own the buffer of a new memory object.
static inline void *binsr_dnnl_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
