import Kafka
import Logging
import Metrics
import LogPipeCore
import Observability

/// The checkpoint, health and metrics half of one run's loop, and its graceful stop.
extension ShipLoop {
    // MARK: Checkpoint, health, metrics

    mutating func storeCheckpoint(_ snapshot: DeliveryWindow.Snapshot, force: Bool) {
        let now = ContinuousClock.now
        guard let position = snapshot.ackedPosition, position != stored else {
            if snapshot.unacked == 0 { checkpointCurrentAt = now }
            return
        }
        var record = StoredCheckpoint.file(position)
        if let ledger {
            if let cursor = ledger.take(upTo: position) { ackedCursor = cursor }
            // No entry acknowledged whole since the start, or the same one as stored: nothing to write.
            guard let ackedCursor, ackedCursor != storedCursor else {
                stored = position
                if snapshot.unacked == 0 { checkpointCurrentAt = now }
                return
            }
            record = .journal(cursor: ackedCursor)
        }
        guard let checkpointFile else {
            stored = position
            checkpointCurrentAt = now
            return
        }
        guard force || now - lastCheckpointWrite >= config.checkpointInterval || snapshot.unacked == 0 else { return }
        lastCheckpointWrite = now
        do {
            try checkpointFile.store(record)
            stored = position
            if case .journal(let cursor) = record { storedCursor = cursor }
            checkpointCurrentAt = now
            checkpointError = nil
        } catch {
            if checkpointError == nil { logger.error("cannot write the checkpoint", metadata: ["error": "\(error)"]) }
            checkpointError = "\(error)"
        }
    }

    mutating func publish(_ snapshot: DeliveryWindow.Snapshot) {
        let now = ContinuousClock.now
        guard now - lastMetrics >= .milliseconds(500) else { return }
        lastMetrics = now
        let metrics = service.stats
        metrics.record(snapshot)
        metrics.lagBytes.record(Int(unread) + snapshot.unackedBytes)
        let age = now - checkpointCurrentAt
        metrics.checkpointAge.record(Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18)
        let stalled = snapshot.unacked > 0 && now - snapshot.lastProgress > config.stallTimeout
        let position = (stored ?? snapshot.ackedPosition).map { "\(Fingerprint.hex($0.fingerprint)):\($0.offset)" } ?? "none"
        if let checkpointError {
            service.setHealth(HealthStatus(healthy: false, detail: "checkpoint not written: \(checkpointError)"))
        } else if stalled {
            service.setHealth(
                HealthStatus(
                    healthy: false,
                    detail: "no delivery progress with \(snapshot.unacked) lines in flight; last error: \(snapshot.lastError ?? "none")"))
        } else {
            service.setHealth(HealthStatus(healthy: true, detail: "ok: acknowledged up to \(position), \(snapshot.unacked) in flight"))
        }
    }

    func handle(_ events: [SourceEvent]) {
        for event in events {
            service.stats.event(event)
            if case .opened = event {
                logger.info("input opened", metadata: ["event": "\(event)"])
            } else {
                logger.notice("input event", metadata: ["event": "\(event)"])
            }
        }
    }

    /// Graceful stop: wait (bounded) for the outstanding acknowledgements, write the final
    /// checkpoint, stop the producers.
    mutating func stop() async {
        let deadline = ContinuousClock.now + config.shutdownGrace
        var snapshot = window.snapshot()
        while snapshot.unacked > 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            if snapshot.failed > 0 { await send(window.takeFailed(generation: generation)) }
            try? await Task.sleep(for: .milliseconds(20))
            snapshot = window.snapshot()
        }
        storeCheckpoint(snapshot, force: true)
        lastMetrics = .now - .seconds(1)
        publish(snapshot)
        logger.info(
            "stopped",
            metadata: [
                "shipped": "\(snapshot.delivered.reduce(0, +))", "unacknowledged": "\(snapshot.unacked)",
                "checkpoint": "\(stored.map { "\(Fingerprint.hex($0.fingerprint)):\($0.offset)" } ?? "none")",
            ])
        await producer.shutdown()
        for task in retiring { await task.value }
    }
}
