#!/usr/bin/env bash
# A real single-node SLURM cluster on this machine, for CI (runs as root on a throwaway VM).
#
#   .ci/slurm/cluster.sh install   apt-get the Debian packages slurmctld slurmd slurm-client munge
#   .ci/slurm/cluster.sh start     write slurm.conf, start munged, slurmctld and slurmd, wait
#                                  until the node is idle; PIDs go to $STATE/*.pid
#   .ci/slurm/cluster.sh stop      stop exactly the daemons `start` recorded (by PID)
#   .ci/slurm/cluster.sh status    sinfo / squeue
#
# No slurmdbd: accounting is off, so Snakemake's slurm executor must poll with squeue
# (profile key slurm-status-command: squeue), and MinJobAge must stay >= 3 x the profile's
# slurm-init-seconds-before-status-checks. The hostname is usually not "localhost", so
# slurmd is started with -N localhost. Everything the cluster writes lives under $STATE.
set -euo pipefail

STATE="${ALLSTRAT_SLURM_STATE:-/tmp/allstrat-slurm}"
CONF_DIR=/etc/slurm
CONF="$CONF_DIR/slurm.conf"
MARK="# written by allstrat .ci/slurm/cluster.sh"

die() { echo "cluster.sh: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "must run as root (CI machines only)"; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

install_pkgs() {
    need_root
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        echo "slurm + munge already installed"
        return
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends slurmctld slurmd slurm-client munge
}

write_conf() {
    if [ -f "$CONF" ] && ! grep -qF "$MARK" "$CONF"; then
        die "$CONF exists and was not written by this script; refusing to overwrite it"
    fi
    local cpus mem_kb real_mb
    cpus=$(nproc)
    mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
    real_mb=$((mem_kb * 3 / 4 / 1024))  # ~75 % of RAM for jobs; the rest for the OS + daemons
    mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/spool" "$STATE/log"
    cat > "$CONF.tmp" <<CONF
$MARK
ClusterName=allstrat-ci
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.daemon.pid
SlurmdPidFile=$STATE/slurmd.daemon.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
EnforcePartLimits=ALL
ReturnToService=2
# squeue-based status polling needs finished jobs to stay visible for a while.
MinJobAge=300
SlurmdTimeout=60
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$real_mb State=UNKNOWN
PartitionName=main Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
    mv "$CONF.tmp" "$CONF"
    echo "wrote $CONF (CPUs=$cpus RealMemory=${real_mb} MB)"
}

start() {
    need_root
    command -v slurmctld >/dev/null || die "slurm not installed; run: $0 install"
    write_conf
    if [ ! -s /etc/munge/munge.key ]; then
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
        chown munge:munge /etc/munge/munge.key
        chmod 400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 755 /run/munge
    if ! alive "$STATE/munged.pid"; then
        # --foreground + setpriv (which execs, unlike su) keep munged's own PID ours to stop.
        setpriv --reuid=munge --regid=munge --init-groups munged --foreground \
            > "$STATE/log/munged.out" 2>&1 &
        echo $! > "$STATE/munged.pid"
        for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
        [ -S /run/munge/munge.socket.2 ] || die "munged did not start (see $STATE/log/munged.out)"
    fi
    if ! alive "$STATE/slurmctld.pid"; then
        slurmctld -D -i > "$STATE/log/slurmctld.out" 2>&1 &
        echo $! > "$STATE/slurmctld.pid"
    fi
    for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.2; done
    scontrol ping | grep -q UP || die "slurmctld did not come up (see $STATE/log/)"
    if ! alive "$STATE/slurmd.pid"; then
        slurmd -D -N localhost > "$STATE/log/slurmd.out" 2>&1 &
        echo $! > "$STATE/slurmd.pid"
    fi
    local st=""
    for _ in $(seq 150); do
        st=$(sinfo -h -N -o '%t' 2>/dev/null | head -1)
        case "$st" in idle|mix|alloc) break ;; esac
        sleep 0.2
    done
    case "$st" in
        idle|mix|alloc) ;;
        *) scontrol update nodename=localhost state=resume 2>/dev/null || true
           sleep 1
           st=$(sinfo -h -N -o '%t' | head -1)
           case "$st" in idle|mix|alloc) ;; *) die "node state '$st' (see $STATE/log/)";; esac ;;
    esac
    # Prove end to end that a job runs.
    local out
    out=$(srun -N1 -n1 -t 1 hostname 2>&1) || die "test job failed: $out"
    echo "SLURM up: node localhost $st, test job ran on $out"
}

stop() {
    local name pidf pid
    for name in slurmd slurmctld munged; do
        pidf="$STATE/$name.pid"
        [ -f "$pidf" ] || continue
        pid=$(cat "$pidf")
        if kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -f "$pidf"
        echo "stopped $name ($pid)"
    done
}

case "${1:-}" in
    install) install_pkgs ;;
    start) start ;;
    stop) stop ;;
    status) sinfo; squeue ;;
    *) die "usage: $0 install|start|stop|status" ;;
esac
