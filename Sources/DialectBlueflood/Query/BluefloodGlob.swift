/// Blueflood's glob syntax for metric searches (BF-core `utils/GlobPattern.java`, Hadoop's
/// `GlobPattern`), translated into the anchored regular expressions label matchers take.
///
/// `*` is any run of characters (crossing dots for `metrics/search`, within one level for
/// `metric_name/search`), `?` one character, `{a,b}` an alternation, `[abc]`, `[a-z]` and
/// `[!abc]` classes, `\x` the character `x`; `.`, `$`, `(`, `)`, `|`, `+` are literal.
struct BluefloodGlob: Sendable, Equatable {
    /// The regular expression (anchoring is the matcher's).
    var regex: String
    /// Whether the glob had a wildcard; without one the name is looked up exactly (as ``literal``).
    var hasWildcard: Bool
    /// The glob with its escapes resolved: the exact name looked up when there is no wildcard.
    var literal: String
    /// Dot-separated levels: unescaped dots outside classes and groups, plus one.
    var levels: Int

    /// Translates `glob`.
    /// - Parameter withinLevel: `*` and `?` do not match `.` (`metric_name/search`).
    /// - Throws: ``BluefloodSearchError`` for a trailing `\`, a nested or unclosed class, an
    ///   unclosed group, or `<`, `>`, `"` outside a class, which the reference's Lucene regexp
    ///   syntax rejects (BF-it: `query ! with bad \ characters ? <>` answers 500).
    init(_ glob: String, withinLevel: Bool = false) throws(BluefloodSearchError) {
        var t = Translation(glob: glob, withinLevel: withinLevel)
        var chars = Array(glob).makeIterator()
        while let c = chars.next() {
            let atSetStart = t.setStart
            t.setStart = false
            if c == "\\" {
                guard let escaped = chars.next() else { throw BluefloodSearchError("missing escaped character at the end of \(glob)") }
                t.escaped(escaped)
            } else if t.setOpen {
                try t.inClass(c, atStart: atSetStart)
            } else {
                try t.outside(c)
            }
        }
        if t.setOpen { throw BluefloodSearchError("unclosed character class in \(glob)") }
        if t.curlyOpen { throw BluefloodSearchError("unclosed group in \(glob)") }
        regex = t.out
        hasWildcard = t.wildcard
        levels = t.dots + 1
        literal = t.literal
    }

    /// The translation state, one character at a time.
    private struct Translation {
        let glob: String
        let withinLevel: Bool
        var out = "", literal = ""
        var setOpen = false, setStart = false, curlyOpen = false, wildcard = false
        var dots = 0

        init(glob: String, withinLevel: Bool) {
            self.glob = glob
            self.withinLevel = withinLevel
        }

        /// `\x`: the character itself, inside a class or out.
        mutating func escaped(_ c: Character) {
            literal.append(c)
            if setOpen {
                if !(c.isLetter || c.isNumber) { out.append("\\") }
                out.append(c)
            } else {
                out += BluefloodGlob.escape(String(c))
            }
        }

        /// A character of a `[…]` class: `!` first negates, `]` closes, the regex engine's
        /// class operators (`[`, `&&`, `~~`, a literal `^`) are escaped.
        mutating func inClass(_ c: Character, atStart: Bool) throws(BluefloodSearchError) {
            switch c {
            case "]":
                setOpen = false
                out.append("]")
            case "!" where atStart:
                out.append("^")
            case "[":
                throw BluefloodSearchError("unclosed character class in \(glob)")
            case "&", "~", "^":
                out += "\\" + String(c)
            default:
                out.append(c)
            }
        }

        /// A character outside any class.
        mutating func outside(_ c: Character) throws(BluefloodSearchError) {
            switch c {
            case "*":
                out += withinLevel ? "[^.]*" : ".*"
                wildcard = true
            case "?":
                out += withinLevel ? "[^.]" : "."
                wildcard = true
            case "{":
                guard !curlyOpen else { throw BluefloodSearchError("nested group in \(glob)") }
                out += "(?:"
                curlyOpen = true
                wildcard = true
            case "," where curlyOpen:
                out += "|"
            case "}" where curlyOpen:
                out += ")"
                curlyOpen = false
            case "[":
                out.append("[")
                setOpen = true
                setStart = true
                wildcard = true
            case "<", ">", "\"":
                throw BluefloodSearchError("reserved character \(c) in \(glob)")
            default:
                literal.append(c)
                if c == ".", !curlyOpen { dots += 1 }
                out += BluefloodGlob.escape(String(c))
            }
        }
    }

    /// `text` as a regular expression matching exactly itself.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            if "\\.*+?()[]{}^$|".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }
}

/// A search pattern Blueflood cannot compile; the routes answer 500 `Error getting metrics index` (§11).
public struct BluefloodSearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the pattern.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
