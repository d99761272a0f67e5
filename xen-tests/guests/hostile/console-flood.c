/*
 * hostile: vcpus=2 pcpus=2 native=run
 *
 * console-flood: two vCPUs print long lines to the UART at the same time
 * (issue 9, finding 8). Each line is longer than the hypervisor's log line
 * buffer, so it is also echoed in pieces. With printf (the default) each
 * line goes out whole under the guest's own lock; with raw=1 both vCPUs
 * write their bytes unlocked, so the byte stream interleaves exactly as on
 * a real 16550 shared by two CPUs. Either way the hypervisor's log of the
 * domain must carry exactly the bytes of the domain's console, in the same
 * order (test_lifecycle.sh compares `xl console` with the log), and nothing
 * may crash. lines=N per vCPU (0: forever, for destroy stress).
 */
#include "guest.h"

#define LINE_CHARS 200

static volatile unsigned long finished[2];
static unsigned long nr_lines;
static bool raw;

/* Line k of vCPU cpu: a header, then letters that depend on both. */
static void print_line(unsigned cpu, unsigned long k)
{
    char line[LINE_CHARS + 40];
    int n = 0;

    n += snprintf(line, sizeof(line), "flood %u/%lu:", cpu, k);
    for (; n < LINE_CHARS; n++)
        line[n] = (char)('a' + (cpu * 7 + k + (unsigned long)n) % 26);
    line[n++] = '\n';
    line[n] = 0;
    if (raw)
        puts_serial(line);
    else
        printf("%s", line);
}

static void flood(unsigned cpu)
{
    for (unsigned long k = 1; nr_lines == 0 || k <= nr_lines; k++)
        print_line(cpu, k);
    finished[cpu] = 1;
}

static void ap_main(unsigned int cpu)
{
    flood(cpu);
}

int main(void)
{
    nr_lines = cmdline_uint("lines", 40);
    raw = cmdline_uint("raw", 0) != 0;

    if (fwcfg_cpu_count() < 2 || smp_start_ap(1, ap_main)) {
        report(false, "second vCPU started");
        return report_summary();
    }
    flood(0);
    while (!finished[1])
        pause();
    printf("\n");           /* ends a raw line the other vCPU may have cut */
    report(finished[0] && finished[1], "both vCPUs printed %lu lines of %u bytes",
           nr_lines, LINE_CHARS);
    return report_summary();
}
