import Testing

@testable import Continual

@Suite("Editing JSON nodes")
struct JSONNodeEditingTests {
    let document = #"{"tasks": {"b": 1, "a": 2}, "agent": {"policy": "dqn"}, "name": "x\"y"}"#

    @Test func settingReplacesInPlaceAddsAtTheEndAndKeepsMemberOrder() throws {
        let node = try JSONNode.parse(document)
        let edited = try node.setting(["agent", "hyperparameters", "gamma"], to: JSONNode(.number(0.9)))
            .setting(["tasks", "b"], to: JSONNode(.number(3)))
        #expect(
            edited.jsonText(compact: true)
                == #"{"tasks":{"b":3,"a":2},"agent":{"policy":"dqn","hyperparameters":{"gamma":0.9}},"name":"x\"y"}"#)
    }

    @Test func textParsesBackToTheSameDocument() throws {
        let node = try JSONNode.parse(document).removing(["agent", "policy"])
        let again = try JSONNode.parse(node.jsonText())
        #expect(again.jsonText(compact: true) == #"{"tasks":{"b":1,"a":2},"agent":{},"name":"x\"y"}"#)
        #expect(try JSONNode.parse("[1e-05, 2, true, null]").jsonText(compact: true) == "[1e-05,2,true,null]")
    }

    @Test func settingBelowAValueThatIsNotAnObjectNamesIt() throws {
        let node = try JSONNode.parse(document)
        let error = #expect(throws: JSONEditError.self) {
            try node.setting(["name", "first"], to: JSONNode(.null))
        }
        #expect(error?.description == "name is a string, not an object")
    }
}
