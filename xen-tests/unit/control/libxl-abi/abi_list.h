/*
 * What the libxl conformance test compares between dbgvisor's libxl.h and
 * Debian's libxen-dev 4.17 headers. Included by the generator (Debian side)
 * and by the checker (our side) with different definitions of the macros.
 */
#define ABI_STRUCTS \
    S(libxl_dominfo) S(libxl_vcpuinfo) S(libxl_physinfo) \
    S(libxl_version_info) S(libxl_uuid) S(libxl_bitmap) \
    S(xentoollog_logger)

#define ABI_FIELDS \
    F(libxl_dominfo, uuid) F(libxl_dominfo, domid) F(libxl_dominfo, ssidref) \
    F(libxl_dominfo, ssid_label) F(libxl_dominfo, running) \
    F(libxl_dominfo, blocked) F(libxl_dominfo, paused) \
    F(libxl_dominfo, shutdown) F(libxl_dominfo, dying) \
    F(libxl_dominfo, never_stop) F(libxl_dominfo, shutdown_reason) \
    F(libxl_dominfo, outstanding_memkb) F(libxl_dominfo, current_memkb) \
    F(libxl_dominfo, shared_memkb) F(libxl_dominfo, paged_memkb) \
    F(libxl_dominfo, max_memkb) F(libxl_dominfo, cpu_time) \
    F(libxl_dominfo, vcpu_max_id) F(libxl_dominfo, vcpu_online) \
    F(libxl_dominfo, cpupool) F(libxl_dominfo, gpaddr_bits) \
    F(libxl_dominfo, domain_type) \
    F(libxl_vcpuinfo, vcpuid) F(libxl_vcpuinfo, cpu) F(libxl_vcpuinfo, online) \
    F(libxl_vcpuinfo, blocked) F(libxl_vcpuinfo, running) \
    F(libxl_vcpuinfo, vcpu_time) F(libxl_vcpuinfo, cpumap) \
    F(libxl_vcpuinfo, cpumap_soft) \
    F(libxl_physinfo, threads_per_core) F(libxl_physinfo, cores_per_socket) \
    F(libxl_physinfo, max_cpu_id) F(libxl_physinfo, nr_cpus) \
    F(libxl_physinfo, cpu_khz) F(libxl_physinfo, total_pages) \
    F(libxl_physinfo, free_pages) F(libxl_physinfo, scrub_pages) \
    F(libxl_physinfo, outstanding_pages) F(libxl_physinfo, sharing_freed_pages) \
    F(libxl_physinfo, sharing_used_frames) F(libxl_physinfo, max_possible_mfn) \
    F(libxl_physinfo, nr_nodes) F(libxl_physinfo, hw_cap) \
    F(libxl_physinfo, cap_hvm) F(libxl_physinfo, cap_pv) \
    F(libxl_physinfo, cap_hvm_directio) F(libxl_physinfo, cap_hap) \
    F(libxl_physinfo, cap_shadow) F(libxl_physinfo, cap_iommu_hap_pt_share) \
    F(libxl_physinfo, cap_vmtrace) F(libxl_physinfo, cap_vpmu) \
    F(libxl_physinfo, cap_gnttab_v1) F(libxl_physinfo, cap_gnttab_v2) \
    F(libxl_version_info, xen_version_major) F(libxl_version_info, xen_version_minor) \
    F(libxl_version_info, xen_version_extra) F(libxl_version_info, compiler) \
    F(libxl_version_info, compile_by) F(libxl_version_info, compile_domain) \
    F(libxl_version_info, compile_date) F(libxl_version_info, capabilities) \
    F(libxl_version_info, changeset) F(libxl_version_info, virt_start) \
    F(libxl_version_info, pagesize) F(libxl_version_info, commandline) \
    F(libxl_version_info, build_id) \
    F(libxl_bitmap, size) F(libxl_bitmap, map) \
    F(xentoollog_logger, vmessage) F(xentoollog_logger, progress) \
    F(xentoollog_logger, destroy)

#define ABI_ENUMS \
    E(LIBXL_VERSION) \
    E(ERROR_NONSPECIFIC) E(ERROR_VERSION) E(ERROR_FAIL) E(ERROR_NI) \
    E(ERROR_NOMEM) E(ERROR_INVAL) E(ERROR_BADFAIL) E(ERROR_GUEST_TIMEDOUT) \
    E(ERROR_TIMEDOUT) E(ERROR_NOPARAVIRT) E(ERROR_NOT_READY) \
    E(ERROR_OSEVENT_REG_FAIL) E(ERROR_BUFFERFULL) E(ERROR_UNKNOWN_CHILD) \
    E(ERROR_LOCK_FAIL) E(ERROR_JSON_CONFIG_EMPTY) E(ERROR_DEVICE_EXISTS) \
    E(ERROR_CHECKPOINT_DEVOPS_DOES_NOT_MATCH) \
    E(ERROR_CHECKPOINT_DEVICE_NOT_SUPPORTED) E(ERROR_VNUMA_CONFIG_INVALID) \
    E(ERROR_DOMAIN_NOTFOUND) E(ERROR_ABORTED) E(ERROR_NOTFOUND) \
    E(ERROR_DOMAIN_DESTROYED) E(ERROR_FEATURE_REMOVED) \
    E(ERROR_PROTOCOL_ERROR_QMP) E(ERROR_UNKNOWN_QMP_ERROR) \
    E(ERROR_QMP_GENERIC_ERROR) E(ERROR_QMP_COMMAND_NOT_FOUND) \
    E(ERROR_QMP_DEVICE_NOT_ACTIVE) E(ERROR_QMP_DEVICE_NOT_FOUND) \
    E(ERROR_QEMU_API) \
    E(LIBXL_SHUTDOWN_REASON_UNKNOWN) E(LIBXL_SHUTDOWN_REASON_POWEROFF) \
    E(LIBXL_SHUTDOWN_REASON_REBOOT) E(LIBXL_SHUTDOWN_REASON_SUSPEND) \
    E(LIBXL_SHUTDOWN_REASON_CRASH) E(LIBXL_SHUTDOWN_REASON_WATCHDOG) \
    E(LIBXL_SHUTDOWN_REASON_SOFT_RESET) \
    E(LIBXL_DOMAIN_TYPE_INVALID) E(LIBXL_DOMAIN_TYPE_HVM) \
    E(LIBXL_DOMAIN_TYPE_PV) E(LIBXL_DOMAIN_TYPE_PVH) \
    E(XTL_NONE) E(XTL_DEBUG) E(XTL_VERBOSE) E(XTL_DETAIL) E(XTL_PROGRESS) \
    E(XTL_INFO) E(XTL_NOTICE) E(XTL_WARN) E(XTL_ERROR) E(XTL_CRITICAL) \
    E(XTL_NUM_LEVELS) E(XTL_STDIOSTREAM_SHOW_PID) E(XTL_STDIOSTREAM_SHOW_DATE) \
    E(XTL_STDIOSTREAM_HIDE_PROGRESS)

/* Function signatures, written once; each side checks its header's
 * declarations against them, so ours == these == Debian's. */
#define ABI_SIGS \
    G(libxl_ctx_alloc, int, (libxl_ctx **, int, unsigned, xentoollog_logger *)) \
    G(libxl_ctx_free, int, (libxl_ctx *)) \
    G(libxl_list_domain, libxl_dominfo *, (libxl_ctx *, int *)) \
    G(libxl_dominfo_list_free, void, (libxl_dominfo *, int)) \
    G(libxl_domain_info, int, (libxl_ctx *, libxl_dominfo *, uint32_t)) \
    G(libxl_dominfo_init, void, (libxl_dominfo *)) \
    G(libxl_dominfo_dispose, void, (libxl_dominfo *)) \
    G(libxl_domain_pause, int, (libxl_ctx *, uint32_t, const libxl_asyncop_how *)) \
    G(libxl_domain_unpause, int, (libxl_ctx *, uint32_t, const libxl_asyncop_how *)) \
    G(libxl_domain_destroy, int, (libxl_ctx *, uint32_t, const libxl_asyncop_how *)) \
    G(libxl_list_vcpu, libxl_vcpuinfo *, (libxl_ctx *, uint32_t, int *, int *)) \
    G(libxl_vcpuinfo_list_free, void, (libxl_vcpuinfo *, int)) \
    G(libxl_get_physinfo, int, (libxl_ctx *, libxl_physinfo *)) \
    G(libxl_physinfo_init, void, (libxl_physinfo *)) \
    G(libxl_physinfo_dispose, void, (libxl_physinfo *)) \
    G(libxl_get_version_info, const libxl_version_info *, (libxl_ctx *)) \
    G(libxl_domid_to_name, char *, (libxl_ctx *, uint32_t)) \
    G(libxl_name_to_domid, int, (libxl_ctx *, const char *, uint32_t *)) \
    G(xtl_createlogger_stdiostream, xentoollog_logger_stdiostream *, \
      (FILE *, xentoollog_level, unsigned)) \
    G(xtl_logger_destroy, void, (struct xentoollog_logger *)) \
    G(xtl_level_to_string, const char *, (xentoollog_level))
