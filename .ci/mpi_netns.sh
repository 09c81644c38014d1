#!/bin/sh
# Runs examples/pi_mpi on ranks in two network namespaces joined by a veth pair on a private
# link (10.231.0.1 and 10.231.0.2; loopback and that link only), so that ranks talk over TCP as
# on two hosts, and checks that every workload gives the bits of the one-process run.
#
#   .ci/mpi_netns.sh PI_MPI_BINARY PI_BINARY
#
# Needs root and iproute2; where namespaces cannot be made it says so, runs the same check on
# one host, and exits 0. The namespaces, link and hosts files are removed on exit.
set -eu
PI_MPI=$(realpath "$1")
PI=$(realpath "$2")
A=cwmpia
B=cwmpib
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
WORK=$(mktemp -d)
cleanup() {
    ip netns del $A 2>/dev/null || true
    ip netns del $B 2>/dev/null || true
    rm -rf /etc/netns/$A /etc/netns/$B "$WORK"
}
trap cleanup EXIT

# Every mpiexec here runs with --bind-to none: each namespace's daemon believes it has the
# machine's cores to itself and would bind its first rank to core 0, so the ranks of the two
# "hosts" would share one core (8 ms all-gathers instead of 15 us).
# The launcher OpenMPI's rsh starter calls as `AGENT HOST COMMAND...`: runs COMMAND inside the
# namespace named HOST instead of over ssh.
cat > "$WORK/netns-rsh" <<'AGENT'
#!/bin/sh
host=$1
shift
exec ip netns exec "$host" /bin/sh -c "$*"
AGENT
chmod +x "$WORK/netns-rsh"

hosts=single
if ip netns add $A 2>/dev/null && ip netns add $B 2>/dev/null \
    && ip link add ${A}0 netns $A type veth peer name ${B}0 netns $B 2>/dev/null; then
    ip -n $A addr add 10.231.0.1/24 dev ${A}0
    ip -n $B addr add 10.231.0.2/24 dev ${B}0
    for ns in $A $B; do
        ip -n $ns link set lo up
        ip -n $ns link set ${ns}0 up
        mkdir -p /etc/netns/$ns
        printf '127.0.0.1 localhost\n10.231.0.1 %s\n10.231.0.2 %s\n' $A $B > /etc/netns/$ns/hosts
    done
    hosts=namespaces
    # Where the ranks run: two network namespaces, neither of them this one.
    seen=$(ip netns exec $A mpiexec --oversubscribe -n 4 --host $A:2,$B:2 \
        --mca plm_rsh_agent "$WORK/netns-rsh" --mca oob_tcp_if_include 10.231.0.0/24 \
        /bin/sh -c 'readlink /proc/self/ns/net' | sort | uniq -c)
    echo "mpi_netns: ranks per network namespace:" $seen
    here=$(readlink /proc/self/ns/net)
    if [ "$(echo "$seen" | wc -l)" != 2 ] || echo "$seen" | grep -q "$here"; then
        echo "mpi_netns: FAILED: the ranks did not run in the two namespaces"
        exit 1
    fi
else
    echo "mpi_netns: SKIPPED namespaces: this machine cannot make network namespaces (not root, or no iproute2); running the ranks on one host"
fi

status=0
for workload in pi sum docs; do
    args="--workload $workload --n 2e7 --docs-n 2000 --chunk 100000 --workers 1"
    [ $workload = docs ] && args="--workload docs --docs-n 2000 --chunk 300 --workers 1"
    want=$("$PI_MPI" $args | grep '^result:')
    if [ $hosts = namespaces ]; then
        got=$(ip netns exec $A mpiexec --oversubscribe --bind-to none -n 4 --host $A:2,$B:2 \
            --mca plm_rsh_agent "$WORK/netns-rsh" \
            --mca btl self,tcp --mca btl_tcp_if_include 10.231.0.0/24 \
            --mca oob_tcp_if_include 10.231.0.0/24 \
            "$PI_MPI" $args)
    else
        got=$(mpiexec --oversubscribe --bind-to none -n 4 "$PI_MPI" $args)
    fi
    got_result=$(echo "$got" | grep '^result:')
    echo "mpi_netns: $workload on 4 ranks ($hosts): $got_result; one process: $want"
    echo "$got" | grep '^rank ' | sed 's/^/mpi_netns:   /'
    if [ "$got_result" != "$want" ]; then
        echo "mpi_netns: FAILED: $workload differs"
        status=1
    fi
done
# The cost of the executor's collective between the two namespaces (one rank each), over TCP
# on the veth link: the latency and bandwidth BENCHMARKS.md's MPI model starts from.
if [ $hosts = namespaces ]; then
    ip netns exec $A mpiexec --bind-to none -n 2 --host $A:1,$B:1 \
        --mca plm_rsh_agent "$WORK/netns-rsh" \
        --mca btl self,tcp --mca btl_tcp_if_include 10.231.0.0/24 \
        --mca oob_tcp_if_include 10.231.0.0/24 \
        "$PI_MPI" --workload exchange | grep '^exchange' | sed 's/^/mpi_netns: two namespaces, TCP: /'
fi
# pi_mpi's count equals the non-MPI example's.
pi_inside=$("$PI" --n 2e7 --chunk 100000 --workers 1 | grep '^inside:')
mpi_inside=$("$PI_MPI" --n 2e7 --chunk 100000 --workers 1 | grep '^inside:')
echo "mpi_netns: pi $pi_inside, pi_mpi $mpi_inside"
[ "$pi_inside" = "$mpi_inside" ] || { echo "mpi_netns: FAILED: pi_mpi and pi differ"; status=1; }
exit $status
