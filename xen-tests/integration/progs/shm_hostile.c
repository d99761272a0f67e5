/*
 * A hostile shared-memory client: takes a slot of SOCKET.shm, starts a
 * session, then publishes an impossible request index (more bytes than the
 * ring holds) and waits for the hypervisor to stop the slot. Prints
 * "slot N error E" (E = -5 when the hypervisor noticed) and exits without
 * releasing the slot, as a crashed client would.
 *
 *   shm_hostile SOCKET.shm
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <public/ctlshm.h>

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
    struct stat st;
    int fd = argc > 1 ? open(argv[1], O_RDWR) : -1;

    if ( fd < 0 || fstat(fd, &st) )
        return 2;
    uint8_t *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct dbgv_shm_hdr *h = (struct dbgv_shm_hdr *)base;

    if ( base == MAP_FAILED || h->magic != DBGV_SHM_MAGIC )
        return 2;
    for ( uint32_t i = 0; i < h->nr_slots; i++ )
    {
        struct dbgv_shm_slot *s = (struct dbgv_shm_slot *)
            (base + h->slot_offset + i * h->slot_stride);
        uint32_t free_ = 0;

        if ( !__atomic_compare_exchange_n(&s->owner, &free_, (uint32_t)getpid(),
                                          0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST) )
            continue;
        uint32_t session = s->session + 1;

        __atomic_store_n(&s->session, session, __ATOMIC_SEQ_CST);
        for ( int t = 0; t < 500 && __atomic_load_n(&s->session_ack, __ATOMIC_SEQ_CST) != session; t++ )
            sleep_ms(10);
        __atomic_store_n(&s->req_prod, s->req_cons + h->ring_size + 4096, __ATOMIC_SEQ_CST);
        for ( int t = 0; t < 500 && !__atomic_load_n(&s->error, __ATOMIC_SEQ_CST); t++ )
            sleep_ms(10);
        printf("slot %u error %d\n", i, (int)s->error);
        return 0;
    }
    return 3;
}
