/* Externs declared with the kernel's own types, as real programs declare
 * them: vmlinux.h generated from the running kernel's BTF (the test writes
 * it with bpftool) and libbpf's bpf_helpers.h. libbpf loads this object
 * on the machine that generated vmlinux.h, and `bpfc check --host` must
 * find nothing wrong with its externs (core/tests/object_kernel_load.rs). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* Per-CPU variables, typed. */
extern const struct rq runqueues __ksym;
extern const int bpf_prog_active __ksym;
/* kfuncs. */
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
/* A typeless symbol, resolved through kallsyms. */
extern const void bpf_prog_put __ksym;
/* Kernel config: an int, a bool, libbpf's own, and a weak one. */
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern bool CONFIG_BPFC_NO_SUCH_OPTION __kconfig __weak;

SEC("tp_btf/sched_switch")
int prog(u64 *ctx)
{
	struct task_struct *t = bpf_task_acquire((struct task_struct *)ctx[1]);

	if (t)
		bpf_task_release(t);
	bpf_rcu_read_lock();
	return (long)&runqueues + (long)&bpf_prog_active + (long)&bpf_prog_put + CONFIG_HZ +
	       CONFIG_BPF_SYSCALL + LINUX_KERNEL_VERSION + CONFIG_BPFC_NO_SUCH_OPTION;
}

char LICENSE[] SEC("license") = "GPL";
