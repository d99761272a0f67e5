/*
 * hostile: pcpus=1 policies=trap,adaptive native=compare
 *
 * ac-storm (XSA-156 family, #AC): with CR0.AM and RFLAGS.AC set, CPL3 code
 * makes misaligned accesses in a loop; every one raises #AC (error code 0),
 * which the hypervisor intercepts (XSA-156: a guest must not be able to
 * make the CPU loop in microcode on #AC) and reflects. The handler counts
 * and clears AC in the interrupted flags; user code sets it again. 5000
 * rounds: exactly 5000 #ACs with error code 0 and the right IP, and the
 * canary keeps its pCPU share. QEMU TCG does not implement alignment
 * checking (no #AC at all), so under QEMU the guest accepts "none" as long
 * as the record equals the native one; on AMD hardware it sees all 5000.
 */
#include "guest.h"

#define ROUNDS 5000
#define X86_EFLAGS_AC BIT(18)
#define X86_CR0_AM    BIT(18)
static volatile unsigned long acs, bad_err, bad_ip;
static volatile uint8_t buf[16] __attribute__((aligned(16)));
extern char ac_load[];

static void on_ac(struct trap_frame *f)
{
    acs++;
    bad_err += f->error_code != 0;
    bad_ip += f->ip != (unsigned long)ac_load;
    f->flags &= ~X86_EFLAGS_AC;
}

static long user_loop(void)
{
    unsigned long sum = 0;

    for (int i = 0; i < ROUNDS; i++) {
        unsigned long v;
        asm volatile("pushfq\n orq $0x40000,(%%rsp)\n popfq\n"
                     "ac_load: movl 1(%1), %k0\n"
                     : "=r"(v) : "r"(buf) : "memory", "cc");
        sum += v;
    }
    return (long)sum;
}

int main(void)
{
    for (int i = 0; i < 16; i++)
        buf[i] = (uint8_t)i;
    trap_set_handler(17, on_ac);
    write_cr0(read_cr0() | X86_CR0_AM);
    long r = run_user(user_loop);
    write_cr0(read_cr0() & ~X86_CR0_AM);
    printf("ac-storm: %lu #AC, user result %#lx\n", acs, (unsigned long)r);
    report(acs == ROUNDS || acs == 0, "one #AC per misaligned load, or none where unemulated");
    report(bad_err == 0 && bad_ip == 0, "error code 0 and IP at the load each time");
    report(r == (long)(0x04030201UL * ROUNDS), "every load completed after its #AC");
    return report_summary();
}
