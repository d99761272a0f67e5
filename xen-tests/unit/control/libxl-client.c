/*
 * A plain Xen 4.17 libxl program (nothing dbgvisor-specific): it compiles
 * against Debian's libxen-dev headers as well as against dbgvisor's, and is
 * run against fake-hv by `make check`.
 *   libxl-client list | info | vcpus DOM | pause DOM | unpause DOM | destroy DOM
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

static int lookup(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
    if ( libxl_name_to_domid(ctx, name, domid) == 0 )
        return 0;
    fprintf(stderr, "libxl-client: no domain %s\n", name);
    return -1;
}

int main(int argc, char **argv)
{
    xentoollog_logger_stdiostream *lg;
    libxl_ctx *ctx = NULL;
    uint32_t domid = 0;
    int rc = 1;

    if ( argc < 2 )
        return 2;
    lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
    if ( libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg) )
    {
        fprintf(stderr, "libxl-client: cannot allocate context\n");
        goto out;
    }

    if ( !strcmp(argv[1], "list") )
    {
        int nb = 0;
        libxl_dominfo *info = libxl_list_domain(ctx, &nb);

        if ( !info )
            goto out;
        for ( int i = 0; i < nb; i++ )
        {
            char *name = libxl_domid_to_name(ctx, info[i].domid);

            printf("%s %u %lu %u %c%c%c%c %.1f\n", name ? name : "?", info[i].domid,
                   (unsigned long)(info[i].current_memkb / 1024), info[i].vcpu_online,
                   info[i].running ? 'r' : '-', info[i].blocked ? 'b' : '-',
                   info[i].paused ? 'p' : '-', info[i].shutdown ? 's' : '-',
                   info[i].cpu_time / 1e9);
            free(name);
        }
        libxl_dominfo_list_free(info, nb);
        rc = 0;
    }
    else if ( !strcmp(argv[1], "info") )
    {
        const libxl_version_info *v = libxl_get_version_info(ctx);
        libxl_physinfo pi;

        libxl_physinfo_init(&pi);
        if ( !v || libxl_get_physinfo(ctx, &pi) )
            goto out;
        printf("version %d.%d%s cpus %u total_pages %lu free_pages %lu hvm %d\n",
               v->xen_version_major, v->xen_version_minor, v->xen_version_extra,
               pi.nr_cpus, (unsigned long)pi.total_pages,
               (unsigned long)pi.free_pages, pi.cap_hvm);
        libxl_physinfo_dispose(&pi);
        rc = 0;
    }
    else if ( argc == 3 && !lookup(ctx, argv[2], &domid) )
    {
        libxl_dominfo di;

        if ( !strcmp(argv[1], "vcpus") )
        {
            int nb = 0, nr_cpus = 0;
            libxl_vcpuinfo *v = libxl_list_vcpu(ctx, domid, &nb, &nr_cpus);

            if ( !v )
                goto out;
            for ( int i = 0; i < nb; i++ )
                printf("vcpu %u online %d running %d cpus %d mapbyte %#x\n",
                       v[i].vcpuid, v[i].online, v[i].running, nr_cpus,
                       v[i].cpumap.map[0]);
            libxl_vcpuinfo_list_free(v, nb);
            rc = 0;
        }
        else if ( !strcmp(argv[1], "pause") )
            rc = libxl_domain_pause(ctx, domid, NULL);
        else if ( !strcmp(argv[1], "unpause") )
            rc = libxl_domain_unpause(ctx, domid, NULL);
        else if ( !strcmp(argv[1], "destroy") )
            rc = libxl_domain_destroy(ctx, domid, NULL);
        if ( rc == 0 && strcmp(argv[1], "destroy") )
        {
            libxl_dominfo_init(&di);
            rc = libxl_domain_info(ctx, &di, domid);
            if ( !rc )
                printf("%s: paused %d running %d\n", argv[2], di.paused, di.running);
            libxl_dominfo_dispose(&di);
        }
        else if ( rc == 0 )
            printf("%s: exists %d\n", argv[2],
                   libxl_domain_info(ctx, NULL, domid) != ERROR_DOMAIN_NOTFOUND);
    }
 out:
    libxl_ctx_free(ctx);
    xtl_logger_destroy((xentoollog_logger *)lg);
    return rc ? 1 : 0;
}
