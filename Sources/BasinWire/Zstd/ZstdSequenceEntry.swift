/// One state of a sequence decoding table: the FSE transition (`baseline`, `nbBits`) joined with
/// what the state's code means (`baseValue` plus `extraBits` read bits).
struct ZstdSequenceEntry {
    var baseValue: UInt32
    var baseline: UInt16
    var nbBits: UInt8
    var extraBits: UInt8
}
