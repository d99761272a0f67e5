/* Spinlocks for the few structures shared between pCPUs. */
#ifndef DBGVISOR_SPINLOCK_H
#define DBGVISOR_SPINLOCK_H

#include <stdbool.h>
#include <asm/cpu_relax.h>

typedef struct { volatile int locked; } spinlock_t;
#define SPINLOCK_INIT { 0 }

static inline void spin_lock(spinlock_t *l)
{
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
            cpu_relax();
}
/* True if taken: for a caller whose lock order forbids waiting (it retries later). */
static inline bool spin_trylock(spinlock_t *l)
{
    return !__atomic_load_n(&l->locked, __ATOMIC_RELAXED) &&
           !__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE);
}
static inline void spin_unlock(spinlock_t *l) { __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE); }

#endif
