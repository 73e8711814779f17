import Foundation
import Testing
@testable import AnvilCore

@Suite("Feedback configs: parsing, validation, checking feedback")
struct FeedbackConfigTests {
    func parse(_ text: String) throws -> FeedbackConfig {
        try FeedbackConfig(json: JSON.parse(Array(text.utf8)))
    }

    func message(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch let e as ValidationError {
            return e.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test("valid configs of every kind parse, numbers normalised to Double")
    func valid() throws {
        #expect(try parse(#"{"type":"continuous","min":0,"max":5}"#) == FeedbackConfig(kind: .continuous, min: 0, max: 5))
        #expect(try parse(#"{"type":"continuous"}"#) == FeedbackConfig(kind: .continuous))
        #expect(try parse(#"{"type":"continuous","min":-1.5,"max":null,"categories":null}"#) == FeedbackConfig(kind: .continuous, min: -1.5))
        #expect(try parse(#"{"type":"categorical","categories":[{"value":0,"label":"bad"},{"value":1}]}"#)
            == FeedbackConfig(kind: .categorical, categories: [.init(value: 0, label: "bad"), .init(value: 1)]))
        #expect(try parse(#"{"type":"freeform"}"#) == FeedbackConfig(kind: .freeform))
        #expect(try parse(#"{"type":"continuous","min":0,"max":1}"#) == parse(#"{"type":"continuous","min":0.0,"max":1.0}"#))
    }

    @Test("invalid configs say what is wrong")
    func invalid() {
        #expect(message(#"[]"#) == "feedback_config must be an object")
        #expect(message(#"{"type":"slider"}"#)?.contains("continuous, categorical, freeform") == true)
        #expect(message(#"{}"#)?.contains("feedback_config.type") == true)
        #expect(message(#"{"type":"continuous","min":5,"max":5}"#) == "feedback_config.min (5) must be less than max (5)")
        #expect(message(#"{"type":"continuous","min":6,"max":5}"#)?.contains("less than max") == true)
        #expect(message(#"{"type":"continuous","min":"0"}"#) == "feedback_config.min must be a number or null")
        #expect(message(#"{"type":"continuous","categories":[{"value":1}]}"#)?.contains("only apply to categorical") == true)
        #expect(message(#"{"type":"categorical"}"#) == "a categorical feedback_config needs at least one category")
        #expect(message(#"{"type":"categorical","categories":[]}"#) == "a categorical feedback_config needs at least one category")
        #expect(message(#"{"type":"categorical","categories":[{"value":1},{"value":1.0,"label":"x"}]}"#)
            == "feedback_config.categories has the value 1 more than once")
        #expect(message(#"{"type":"categorical","categories":[{"label":"x"}]}"#) == "feedback_config.categories[0].value must be a number")
        #expect(message(#"{"type":"categorical","categories":[{"value":1,"label":""}]}"#)?.contains("label") == true)
        #expect(message(#"{"type":"categorical","categories":[{"value":1}],"max":3}"#)?.contains("only apply to continuous") == true)
        #expect(message(#"{"type":"freeform","min":0}"#)?.contains("freeform") == true)
    }

    @Test("the normalised JSON round-trips")
    func roundTrip() throws {
        for text in [#"{"type":"continuous","min":0,"max":5}"#, #"{"type":"categorical","categories":[{"value":2,"label":"ok"}]}"#, #"{"type":"freeform"}"#] {
            let c = try parse(text)
            #expect(try FeedbackConfig(json: c.json) == c)
            #expect(c.json["categories"] != nil && c.json["min"] != nil, "every key is present")
        }
    }

    func fails(_ c: FeedbackConfig, score: JSONValue? = nil, value: JSONValue? = nil) -> Bool {
        do {
            try c.check(key: "k", score: score, value: value)
            return false
        } catch {
            return true
        }
    }

    @Test("continuous scores must lie within the bounds that are set")
    func continuous() {
        let c = FeedbackConfig(kind: .continuous, min: 0, max: 5)
        #expect(!fails(c, score: 0))
        #expect(!fails(c, score: 5))
        #expect(!fails(c, score: 2.5))
        #expect(!fails(c))
        #expect(!fails(c, value: "anything"))
        #expect(fails(c, score: 5.01))
        #expect(fails(c, score: -1))
        #expect(fails(c, score: "3"))
        #expect(!fails(FeedbackConfig(kind: .continuous, min: 0), score: 1e9))
        #expect(fails(FeedbackConfig(kind: .continuous, max: 1), score: 2))
        #expect(!fails(FeedbackConfig(kind: .continuous, max: 1), score: true))
    }

    @Test("categorical scores must be category values; values must be labels or values")
    func categorical() {
        let c = FeedbackConfig(kind: .categorical, categories: [.init(value: 0, label: "bad"), .init(value: 1, label: "good"), .init(value: 2)])
        #expect(!fails(c, score: 1))
        #expect(!fails(c, score: 2.0))
        #expect(fails(c, score: 1.5))
        #expect(fails(c, score: 3))
        #expect(!fails(c, value: "good"))
        #expect(!fails(c, value: "2"))
        #expect(!fails(c, value: 0))
        #expect(fails(c, value: "great"))
        #expect(fails(c, value: ["good"]))
        #expect(fails(c, score: 1, value: "great"))
        #expect(throws: ValidationError("score 7 for 'rating' is not one of its categories: 0 (bad), 1 (good), 2")) {
            try c.check(key: "rating", score: 7, value: nil)
        }
    }

    @Test("freeform accepts anything")
    func freeform() {
        let c = FeedbackConfig(kind: .freeform)
        #expect(!fails(c, score: 1e9, value: ["x": 1]))
    }
}
