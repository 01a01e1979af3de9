/* Many global-data sections: 20 `.data.*` and 20 `.rodata.*`, each with one
 * variable, so that the object has more DATASECs than bpfc searches one by
 * one (it indexes them past 16). libbpf makes one internal map per section;
 * the oracle test compares bpfc's list with its own. */
#include "bpfc_fixture.h"

int data_0 SEC(".data.d0") = 1;
int data_1 SEC(".data.d1") = 2;
int data_2 SEC(".data.d2") = 3;
int data_3 SEC(".data.d3") = 4;
int data_4 SEC(".data.d4") = 5;
int data_5 SEC(".data.d5") = 6;
int data_6 SEC(".data.d6") = 7;
int data_7 SEC(".data.d7") = 8;
int data_8 SEC(".data.d8") = 9;
int data_9 SEC(".data.d9") = 10;
int data_10 SEC(".data.d10") = 11;
int data_11 SEC(".data.d11") = 12;
int data_12 SEC(".data.d12") = 13;
int data_13 SEC(".data.d13") = 14;
int data_14 SEC(".data.d14") = 15;
int data_15 SEC(".data.d15") = 16;
int data_16 SEC(".data.d16") = 17;
int data_17 SEC(".data.d17") = 18;
int data_18 SEC(".data.d18") = 19;
int data_19 SEC(".data.d19") = 20;
const volatile int rodata_0 SEC(".rodata.r0") = 1;
const volatile int rodata_1 SEC(".rodata.r1") = 2;
const volatile int rodata_2 SEC(".rodata.r2") = 3;
const volatile int rodata_3 SEC(".rodata.r3") = 4;
const volatile int rodata_4 SEC(".rodata.r4") = 5;
const volatile int rodata_5 SEC(".rodata.r5") = 6;
const volatile int rodata_6 SEC(".rodata.r6") = 7;
const volatile int rodata_7 SEC(".rodata.r7") = 8;
const volatile int rodata_8 SEC(".rodata.r8") = 9;
const volatile int rodata_9 SEC(".rodata.r9") = 10;
const volatile int rodata_10 SEC(".rodata.r10") = 11;
const volatile int rodata_11 SEC(".rodata.r11") = 12;
const volatile int rodata_12 SEC(".rodata.r12") = 13;
const volatile int rodata_13 SEC(".rodata.r13") = 14;
const volatile int rodata_14 SEC(".rodata.r14") = 15;
const volatile int rodata_15 SEC(".rodata.r15") = 16;
const volatile int rodata_16 SEC(".rodata.r16") = 17;
const volatile int rodata_17 SEC(".rodata.r17") = 18;
const volatile int rodata_18 SEC(".rodata.r18") = 19;
const volatile int rodata_19 SEC(".rodata.r19") = 20;

SEC("xdp") int use_them(void *ctx)
{
	return data_3 + data_17 + rodata_5 + rodata_19;
}

char LICENSE[] SEC("license") = "GPL";
