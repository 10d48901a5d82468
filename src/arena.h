/*
 * arena: a per-thread bump allocator for cmark-gfm.  Parsing and rendering
 * one page makes tens of thousands of small allocations that all die
 * together; carving them from a slab and dropping the slab at once is far
 * cheaper than malloc/free each (and it is what the benchmark's cmark-gfm
 * floor pays for in full).  cmark's allocator hooks take no context, so
 * the arena is found through thread-local storage.
 */
#ifndef RUNBOOKC_ARENA_H
#define RUNBOOKC_ARENA_H

struct cmark_mem;

/* The allocator to hand to cmark_parser_new_with_mem() on this thread. */
struct cmark_mem *arena_cmark_mem(void);
/* Forgets every allocation made on this thread; keeps one slab for reuse. */
void arena_reset(void);
/* Frees this thread's slabs (threads of the pool do it when they exit). */
void arena_release(void);

#endif
