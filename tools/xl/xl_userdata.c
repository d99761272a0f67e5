/*
 * Per-domain configuration, as Xen's libxl userdata: written at `xl create`
 * (the same libxl_domain_config JSON `create -n` prints), read by `list -l`,
 * removed when the domain goes. Files are named
 * userdata-d.<domid>.<nonce>.libxl-json (Xen: userdata-d.<domid>.<uuid>.
 * libxl-json). The nonce names the hypervisor instance, the control
 * socket's inode and change time, new at each start: domids are never
 * reused within an instance, so a file whose nonce differs was a domain of
 * an earlier hypervisor and is never taken for the domain that has its
 * domid now.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "xl.h"
#include "xl_userdata.h"

#define PREFIX "userdata-d."
#define SUFFIX ".libxl-json"

static const char *socket_path(void)
{
    const char *uri = dbgctl_uri(xl_ctx());

    return strncmp(uri, "unix:", 5) ? uri : uri + 5;
}

int xl_state_path(const char *file, char *out, size_t len)
{
    const char *path = socket_path(), *slash = strrchr(path, '/');

    if ( !slash )
        return snprintf(out, len, "%s", file) < (int)len ? 0 : -1;
    return snprintf(out, len, "%.*s/%s", (int)(slash - path), path, file) < (int)len ? 0 : -1;
}

/* The hypervisor instance: 0, or -1 if the socket cannot be read. */
static int instance_nonce(char *out, size_t len)
{
    struct stat st;

    if ( stat(socket_path(), &st) )
        return -1;
    snprintf(out, len, "%" PRIxMAX "-%" PRIxMAX "%09ld", (uintmax_t)st.st_ino,
             (uintmax_t)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
    return 0;
}

static int userdata_path(uint32_t domid, char *out, size_t len)
{
    char nonce[64], file[128];

    if ( instance_nonce(nonce, sizeof(nonce)) )
        return -1;
    snprintf(file, sizeof(file), PREFIX "%u.%s" SUFFIX, domid, nonce);
    return xl_state_path(file, out, len);
}

/* Remove the files of an earlier hypervisor and of domains that are gone
 * (a domain created with -e, or whose monitor was killed). */
static void prune(void)
{
    char dir[PATH_MAX], nonce[64], path[PATH_MAX * 2];
    struct dirent *e;
    DIR *dh;

    if ( xl_state_path(".", dir, sizeof(dir)) || instance_nonce(nonce, sizeof(nonce)) ||
         !(dh = opendir(dir)) )
        return;
    while ( (e = readdir(dh)) )
    {
        struct dbgv_ctl_dominfo di;
        unsigned int domid;
        char rest[128];

        if ( sscanf(e->d_name, PREFIX "%u.%127s", &domid, rest) != 2 ||
             strlen(rest) <= strlen(SUFFIX) ||
             strcmp(rest + strlen(rest) - strlen(SUFFIX), SUFFIX) )
            continue;
        rest[strlen(rest) - strlen(SUFFIX)] = '\0';
        if ( !strcmp(rest, nonce) && dbgctl_domain_info(xl_ctx(), domid, &di) != -ESRCH )
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(dh);
}

int xl_userdata_store(uint32_t domid, const struct xl_json_domain *d)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    yajl_gen g;
    FILE *f;
    int rc;

    prune();
    if ( userdata_path(domid, path, sizeof(path)) )
        return xl_err("cannot name the configuration file of domain %u", domid);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ( !(g = xl_json_open()) )
        return xl_err("unable to allocate JSON generator");
    xl_json_config(g, d);
    if ( !(f = fopen(tmp, "w")) )
    {
        yajl_gen_free(g);
        return xl_err("cannot write %s: %s", tmp, strerror(errno));
    }
    rc = xl_json_write(g, f);
    if ( fclose(f) && !rc )
        rc = xl_err("cannot write %s: %s", tmp, strerror(errno));
    /* Whole or not at all: a reader never sees half a file. */
    if ( !rc && rename(tmp, path) )
        rc = xl_err("cannot write %s: %s", path, strerror(errno));
    if ( rc )
        unlink(tmp);
    return rc;
}

yajl_val xl_userdata_load(uint32_t domid)
{
    char path[PATH_MAX];
    void *text = NULL;
    size_t len = 0;
    yajl_val v = NULL;
    char *s;

    if ( userdata_path(domid, path, sizeof(path)) || dbgctl_read_file(path, &text, &len) )
        return NULL;
    if ( (s = realloc(text, len + 1)) )
    {
        s[len] = '\0';
        v = yajl_tree_parse(s, NULL, 0);
        text = s;
    }
    free(text);
    return v;
}

void xl_userdata_remove(uint32_t domid)
{
    char path[PATH_MAX];

    if ( !userdata_path(domid, path, sizeof(path)) )
        unlink(path);
}

const char *xl_userdata_str(yajl_val cfg, const char *a, const char *b)
{
    const char *path[] = { a, b, NULL };

    return YAJL_GET_STRING(yajl_tree_get(cfg, path, yajl_t_string));
}
