import Shared
import Testing

@testable import MapGatewayCore

/// ``TileFastPathMachine`` alone: bytes and events in, steps out; no channel, no socket.
@Suite struct TileFastPathMachineTests {
    typealias Machine = TileFastPathMachine
    typealias Step = TileFastPathMachine.Step

    static let tilePath = "/tiles/srv/nauvis/terrain/3/2/-3.png"
    static func get(_ path: String = tilePath, _ headers: String = "") -> String {
        "GET \(path) HTTP/1.1\r\nHost: x\r\n\(headers)\r\n"
    }
    static let request = TileRequest(key: Fixture.key(x: 2, y: -3), isHead: false, ifNoneMatch: nil)
    static let length = get().utf8.count

    /// The handler's loop without a channel: steps over `input` until the machine waits, hands
    /// over or closes, consuming what it answers.
    struct Driver {
        var machine: Machine
        var input: [UInt8] = []

        init(maxPipelined: Int = 16, basePath: String = "/") {
            machine = Machine(prefix: basePath + "tiles/", maxPipelined: maxPipelined)
        }

        mutating func receive(_ text: String) -> [Step] {
            #expect(machine.channelRead() == .buffer)
            input += Array(text.utf8)
            return steps()
        }

        mutating func steps() -> [Step] {
            var out: [Step] = []
            while true {
                let step = input.withUnsafeBytes { machine.next($0) }
                out.append(step)
                switch step {
                case .answer(_, let consumed): input.removeFirst(consumed)
                case .wait, .handOver, .close: return out
                case .flush, .flushAndNotify, .read: break
                }
                #expect(out.count < 10_000)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderThenFlushedOnce() {
        var d = Driver()
        let head = TileRequest(key: Fixture.key(x: 0, y: 0), isHead: true, ifNoneMatch: "\"x\"")
        let steps = d.receive(
            Self.get() + "HEAD /tiles/srv/nauvis/terrain/3/0/0.png?v=2 HTTP/1.1\r\nIf-None-Match:  \"x\" \r\n\r\n")
        #expect(
            steps == [
                .answer(Self.request, consumed: Self.length), .answer(head, consumed: 79), .flush, .wait,
            ])
        #expect(d.input.isEmpty)
        #expect(d.machine.state == .answering(unconfirmed: 2))
    }

    @Test func aSplitHeadWaitsForItsEnd() {
        var d = Driver()
        let request = Array(Self.get().utf8)
        #expect(d.receive(String(decoding: request.prefix(20), as: UTF8.self)) == [.wait])
        #expect(d.receive(String(decoding: request.dropFirst(20).dropLast(1), as: UTF8.self)) == [.wait])
        #expect(d.receive("\n") == [.answer(Self.request, consumed: Self.length), .flush, .wait])
    }

    /// The first request that is not a plain tile request hands over, after the answers before it
    /// were flushed, with its bytes (and everything after them) left in the input.
    @Test func anyOtherRequestHandsOverAfterTheEarlierAnswers() {
        var d = Driver()
        let rest = Self.get("/healthz") + Self.get()
        #expect(d.receive(Self.get() + rest) == [.answer(Self.request, consumed: Self.length), .flush, .handOver])
        #expect(String(decoding: d.input, as: UTF8.self) == rest)
        #expect(d.machine.state == .handedOver)
        #expect(d.machine.channelRead() == .forward)
        #expect(d.machine.readRequested() == .forward)
        #expect(d.machine.quiesce(hasBufferedInput: false) == .forward)
    }

    /// Found by `make fuzz` (tile-request): a field name that is not a token (`Connecti@n`, a byte
    /// above 0x7F, a space before the colon) is a request NIO's parser rejects with 400, so the fast
    /// path must not answer it with a tile.
    /// Likewise a second Content-Length, even `0` like the first (the fuzz target's oracle flags it).
    @Test(arguments: [
        "Connecti@n: keep-alive\r\n", "Connection\u{FF}: close\r\n", "X-A : b\r\n", "(x): y\r\n", " X: y\r\n",
        "Content-Length: 0\r\ncontent-length: 0\r\n",
    ])
    func aFieldNameThatIsNotATokenHandsOver(header: String) {
        var d = Driver()
        #expect(d.receive(Self.get(Self.tilePath, header)) == [.handOver])
        var plain = Driver()
        #expect(plain.receive(Self.get(Self.tilePath, "X-Ok_1!#$%&'*+.^`|~: y\r\n")) == [.answer(Self.request, consumed: Self.get(Self.tilePath, "X-Ok_1!#$%&'*+.^`|~: y\r\n").utf8.count), .flush, .wait])
    }

    @Test func anOverlongHeadHandsOver() {
        var d = Driver()
        #expect(d.receive("GET \(Self.tilePath) HTTP/1.1\r\nX: ") == [.wait])
        #expect(d.receive(String(repeating: "a", count: Machine.maxHeadBytes)) == [.handOver])
    }

    @Test func theBasePathIsPartOfThePrefix() {
        var d = Driver(basePath: "/map/")
        #expect(d.receive(Self.get("/map" + Self.tilePath)).first == .answer(Self.request, consumed: Self.length + 4))
        #expect(d.receive(Self.get()) == [.handOver])
    }

    /// After `maxPipelined` answers the machine flushes, pauses (reads withheld, nothing
    /// answered) until that flush completes, then answers on and passes the withheld read on.
    @Test func thePipeliningCapPausesUntilTheAnswersLeft() {
        var d = Driver(maxPipelined: 2)
        let answer = Step.answer(Self.request, consumed: Self.length)
        #expect(d.receive(String(repeating: Self.get(), count: 5)) == [answer, answer, .flushAndNotify, .wait])
        #expect(d.machine.state == .paused(unconfirmed: 2, waitingForFlush: true, unwritable: false))
        #expect(d.machine.readRequested() == .withhold)
        #expect(d.receive(Self.get()) == [.wait])  // a read already under way: buffered, not answered
        #expect(d.machine.flushCompleted(success: true) == .step)
        #expect(d.steps() == [answer, answer, .flushAndNotify, .wait])
        #expect(d.machine.flushCompleted(success: true) == .step)
        #expect(d.steps() == [answer, answer, .flushAndNotify, .wait])
        #expect(d.input.isEmpty)
        #expect(d.machine.flushCompleted(success: true) == .step)
        #expect(d.steps() == [.read, .wait])
        #expect(d.machine.readRequested() == .forward)
    }

    /// A sequential client reaches the cap too: every `maxPipelined`-th answer is confirmed.
    @Test func theCapCountsAnswersSinceTheLastConfirmedFlush() {
        var d = Driver(maxPipelined: 2)
        let answer = Step.answer(Self.request, consumed: Self.length)
        #expect(d.receive(Self.get()) == [answer, .flush, .wait])
        #expect(d.receive(Self.get()) == [answer, .flushAndNotify, .wait])
        #expect(d.machine.flushCompleted(success: true) == .step)
        #expect(d.steps() == [.wait])
        #expect(d.receive(Self.get()) == [answer, .flush, .wait])
    }

    @Test func anUnwritableChannelPausesAnsweringAndReading() {
        var d = Driver()
        let answer = Step.answer(Self.request, consumed: Self.length)
        #expect(d.receive(Self.get()) == [answer, .flush, .wait])
        #expect(d.machine.writabilityChanged(writable: false) == .none)
        #expect(d.machine.readRequested() == .withhold)
        #expect(d.receive(Self.get() + Self.get()) == [.wait])
        #expect(d.machine.writabilityChanged(writable: false) == .none)
        #expect(d.machine.writabilityChanged(writable: true) == .step)
        #expect(d.steps() == [answer, answer, .flush, .read, .wait])
    }

    /// A write buffer that fills mid-batch: the answers so far are flushed, the rest wait.
    @Test func becomingUnwritableMidBatchFlushesWhatWasAnswered() {
        var d = Driver()
        let answer = Step.answer(Self.request, consumed: Self.length)
        d.input = Array((Self.get() + Self.get()).utf8)
        #expect(d.input.withUnsafeBytes { d.machine.next($0) } == answer)
        d.input.removeFirst(Self.length)
        #expect(d.machine.writabilityChanged(writable: false) == .none)
        #expect(d.steps() == [.flush, .wait])
        #expect(d.input.count == Self.length)
    }

    @Test func bothReasonsMustEndBeforeAnsweringAgain() {
        var d = Driver(maxPipelined: 1)
        #expect(d.receive(Self.get() + Self.get()).suffix(2) == [.flushAndNotify, .wait])
        #expect(d.machine.writabilityChanged(writable: false) == .none)
        #expect(d.machine.flushCompleted(success: true) == .none)
        #expect(d.machine.state == .paused(unconfirmed: 0, waitingForFlush: false, unwritable: true))
        #expect(d.machine.writabilityChanged(writable: true) == .step)
        #expect(d.steps().first == .answer(Self.request, consumed: Self.length))
    }

    @Test func aFailedFlushEndsAnswering() {
        var d = Driver(maxPipelined: 1)
        _ = d.receive(Self.get() + Self.get())
        #expect(d.machine.flushCompleted(success: false) == .none)
        #expect(d.machine.state == .failed)
        #expect(d.steps() == [.wait])
        #expect(d.machine.channelRead() == .discard)
        #expect(d.machine.channelInactive() == .fireInputClosed)
    }

    @Test func quiesceClosesBetweenRequests() {
        var idle = Driver()
        _ = idle.receive(Self.get())
        #expect(idle.machine.quiesce(hasBufferedInput: false) == .close)
        #expect(idle.machine.state == .closing)
        #expect(idle.machine.channelRead() == .discard)
        #expect(idle.machine.quiesce(hasBufferedInput: false) == .later)
        #expect(idle.machine.channelInactive() == .none)  // the close already told the normal stack

        var busy = Driver()
        let request = Self.get()
        _ = busy.receive(String(request.prefix(10)))
        #expect(busy.machine.quiesce(hasBufferedInput: true) == .later)
        #expect(busy.receive(String(request.dropFirst(10))) == [.answer(Self.request, consumed: Self.length), .flush, .close])
    }

    @Test func theEndOfAnUnservedConnectionTellsTheNormalStack() {
        var d = Driver()
        _ = d.receive(Self.get())
        #expect(d.machine.channelInactive() == .fireInputClosed)
        #expect(d.machine.channelInactive() == .none)
        #expect(d.machine.state == .closed)
    }
}
