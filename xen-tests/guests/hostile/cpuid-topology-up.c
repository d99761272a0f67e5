/*
 * hostile: vcpus=1 native=compare
 *
 * cpuid-topology-up: cpuid-topology (see there) on a single CPU, where
 * leaf 1 has no HTT and a logical count of 0, leaf 0xB's core level holds
 * one CPU with shift 0, and 0x80000008 ECX is 0.
 */
#include "cpuid-topology.c"
