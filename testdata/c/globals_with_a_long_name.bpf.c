/* Global data the way libbpf turns it into internal maps (reference 5.1):
 * .data/.rodata/.bss with global, static and hidden variables, custom
 * .data.* / .rodata.* / .bss.* sections, string literals, and .kconfig /
 * .ksyms externs. The long file name exercises internal map naming. */
#include "bpfc_fixture.h"

int counter = 1;                          /* .data, global: MMAPABLE */
static int static_counter = 2;            /* .data, static */
const volatile __u32 config_value = 3;    /* .rodata, global */
__hidden const volatile __u32 hidden_ro = 4; /* .rodata, hidden: static for libbpf */
__u64 zeroed;                             /* .bss */
static __u64 static_zeroed;               /* .bss */

/* Custom sections: internal maps named after the section alone. */
int custom_data SEC(".data.custom") = 5;
const volatile int custom_ro SEC(".rodata.custom") = 6;
/* Only static variables: the map is not MMAPABLE. */
static int only_static SEC(".data.only_static") = 7;
/* A hidden global alone: static for libbpf, so not MMAPABLE either. */
__hidden int only_hidden SEC(".data.only_hidden") = 8;

extern unsigned int CONFIG_HZ __kconfig __weak;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern unsigned long long LINUX_KERNEL_VERSION __kconfig;
extern const int bpf_prog_active __ksym __weak;
extern void bpf_rcu_read_lock(void) __ksym __weak;
extern void bpf_rcu_read_unlock(void) __ksym __weak;

SEC("raw_tp/sys_enter")
int use_globals(void *ctx)
{
	static const char msg[] = "hello from .rodata";

	counter += static_counter + config_value + hidden_ro + custom_data + custom_ro;
	zeroed += static_zeroed + only_static + only_hidden + msg[counter & 7];
	zeroed += CONFIG_HZ + CONFIG_BPF_SYSCALL + LINUX_KERNEL_VERSION;
	zeroed += (__u64)&bpf_prog_active;
	bpf_rcu_read_lock();
	bpf_rcu_read_unlock();
	static_zeroed = zeroed;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
