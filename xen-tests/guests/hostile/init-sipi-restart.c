/*
 * hostile: vcpus=2 pcpus=2 policies=trap,adaptive,lazy-exit,lazy-sched native=compare
 *
 * init-sipi-restart: an AP restarted by INIT-SIPI-SIPI must come back in the
 * architectural INIT state (Intel SDM vol. 3 table 10-1 "IA-32 Processor
 * States Following Power-up, Reset, or INIT"; AMD APM vol. 2 table 14-1
 * "Initial Processor State"): DR0-DR3 = 0, DR6 = 0xFFFF0FF0, DR7 = 0x400,
 * EDX = family/model/stepping (CPUID 1 EAX), CR0.CD/NW kept (set since
 * power-on), and its MOV DR must behave as before (issue 9, finding 2).
 * The AP arms all four breakpoints with values of its own and sets DR6.B0,
 * then the BSP restarts it: once while it sits in HLT with interrupts off,
 * then several times while it spins (an INIT IPI to a running CPU puts it in
 * wait-for-SIPI at once; beside other domains the AP may or may not be on a
 * pCPU at that moment, and both must work). After each restart the AP
 * records its registers before touching them, then arms a write breakpoint
 * and checks that its #DB reports B0.
 * The hypervisor used to restart the VMCB without telling the debug core,
 * so the restarted AP ran with MOV DR untrapped and read the DR0-3 left in
 * the pCPU (its own old values or another domain's); it started APs with
 * EDX = 0x600 and CR0 = 0x10; and it ignored an INIT sent to a vCPU that was
 * running, so the AP never came back.
 */
#include "guest.h"

#define RESTARTS 5   /* the first while halted, the others while running */
#define CR0_CD_NW (BIT(30) | BIT(29))
#define WAIT_LOOPS 50000000UL

struct reset_record {
    unsigned long dr[4], dr6, dr7, cr0;
    uint32_t edx;
    unsigned int db_hits;
    unsigned long db_dr6;
};

static volatile struct reset_record rec[RESTARTS];
static volatile int round_done[RESTARTS];
static volatile int armed;
static volatile uint8_t decoys[4];
static volatile uint32_t watched;
static int restart;                     /* written by the BSP before each start */

/* Leave every debug register non-zero and armed (write breakpoints on bytes
 * nobody writes), and DR6 with a stale B0: INIT must clear all of it. */
static void arm_everything(void)
{
    write_dr0((unsigned long)&decoys[0]);
    write_dr1((unsigned long)&decoys[1]);
    write_dr2((unsigned long)&decoys[2]);
    write_dr3((unsigned long)&decoys[3]);
    write_dr6(0xffff0ff1);
    unsigned long dr7 = 0;
    for (int n = 0; n < 4; n++)
        dr7 |= DR7_L(n) | DR7_RW(n, DR_RW_WRITE) | DR7_LEN(n, DR_LEN_1);
    write_dr7(dr7);
    __atomic_store_n(&armed, 1, __ATOMIC_RELEASE);
}

static void ap_first(unsigned int cpu)
{
    arm_everything();
    halt_forever();                     /* restart 0: INIT while halted */
}

static void ap_after_restart(unsigned int cpu)
{
    volatile struct reset_record *r = &rec[restart];

    /* First the registers as INIT left them. */
    r->dr[0] = read_dr0();
    r->dr[1] = read_dr1();
    r->dr[2] = read_dr2();
    r->dr[3] = read_dr3();
    r->dr6 = read_dr6();
    r->dr7 = read_dr7();
    r->edx = ap_boot_edx;
    r->cr0 = read_cr0();
    /* Then MOV DR must still work: a write breakpoint reports B0. */
    unsigned int before = db_count;
    write_dr6(0xffff0ff0);
    write_dr0((unsigned long)&watched);
    write_dr7(DR7_L(0) | DR7_RW(0, DR_RW_WRITE) | DR7_LEN(0, DR_LEN_4));
    watched = 0x1234;
    r->db_hits = db_count - before;
    r->db_dr6 = r->db_hits ? db_events[before].dr6 & 0xf : 0;
    write_dr7(0);
    arm_everything();
    __atomic_store_n(&round_done[restart], 1, __ATOMIC_RELEASE);
    if (restart + 1 < RESTARTS)
        for (;;)
            pause();                    /* the next INIT finds it running */
    halt_forever();
}

static bool wait_for(volatile int *flag)
{
    for (unsigned long i = 0; i < WAIT_LOOPS; i++) {
        if (__atomic_load_n(flag, __ATOMIC_ACQUIRE))
            return true;
        pause();
    }
    return false;
}

int main(void)
{
    if (fwcfg_cpu_count() < 2) {
        report(false, "needs two CPUs");
        return report_summary();
    }
    db_install(DB_CLEAR_DR7);
    report(smp_start_ap(1, ap_first) == 0 && wait_for(&armed), "the AP started and armed DR0-3");

    for (restart = 0; restart < RESTARTS; restart++) {
        armed = 0;
        const char *how = restart == 0 ? "halted" : "running";
        bool back = smp_start_ap(1, ap_after_restart) == 0 && wait_for(&round_done[restart]) &&
                    wait_for(&armed);
        report(back, "restart %d (INIT while %s): the AP came back", restart, how);
        if (!back)
            break;
        volatile struct reset_record *r = &rec[restart];
        report(!r->dr[0] && !r->dr[1] && !r->dr[2] && !r->dr[3],
               "restart %d: DR0-3 read 0 after INIT", restart);
        if (r->dr[0] || r->dr[1] || r->dr[2] || r->dr[3])
            printf("# DR0-3 = %#lx %#lx %#lx %#lx\n", r->dr[0], r->dr[1], r->dr[2], r->dr[3]);
        report(r->dr6 == 0xffff0ff0, "restart %d: DR6 reads %#lx (0xffff0ff0)", restart, r->dr6);
        report(r->dr7 == 0x400, "restart %d: DR7 reads %#lx (0x400)", restart, r->dr7);
        report(r->edx == cpuid(1, 0).a, "restart %d: EDX held family/model/stepping at the start",
               restart);
        report((r->cr0 & CR0_CD_NW) == CR0_CD_NW, "restart %d: CR0.CD and CR0.NW are set, as after "
               "power-on (INIT keeps them)", restart);
        report(r->db_hits == 1 && r->db_dr6 == 1,
               "restart %d: a write breakpoint gives one #DB with B0 (%u, %#lx)", restart,
               r->db_hits, r->db_dr6);
    }
    return report_summary();
}
