package solve

import (
	"hash/maphash"
	"iter"
)

// nameIndex finds the entries of a name: a hash table built once from a
// list, with every bucket's entries stored contiguously. NewPool indexes some 70,000 provides of 20,000 packages on every
// resolve; a Go map of slices made one small slice per name plus the
// map's own table, and that allocation (with its page faults and GC work)
// cost more than the lookups ever do.
//
// Entries of one name keep the order of the list they came from, so what
// a lookup yields does not depend on the hash seed.
type nameIndex[T any] struct {
	seed  maphash.Seed
	mask  uint64
	start []int32 // bucket b holds items[start[b]:start[b+1]]
	items []T
	name  func(T) string
}

// newNameIndex indexes items (which it keeps) by name(item).
func newNameIndex[T any](items []T, name func(T) string) nameIndex[T] {
	nb := 1
	for nb < len(items) {
		nb <<= 1
	}
	ix := nameIndex[T]{seed: maphash.MakeSeed(), mask: uint64(nb - 1), start: make([]int32, nb+1), name: name}
	if len(items) == 0 {
		return ix
	}
	bucket := make([]int32, len(items))
	for i, it := range items {
		b := int32(maphash.String(ix.seed, name(it)) & ix.mask)
		bucket[i] = b
		ix.start[b+1]++
	}
	for b := 1; b <= nb; b++ {
		ix.start[b] += ix.start[b-1]
	}
	next := make([]int32, nb)
	copy(next, ix.start[:nb])
	ix.items = make([]T, len(items))
	for i, it := range items {
		b := bucket[i]
		ix.items[next[b]] = it
		next[b]++
	}
	return ix
}

// get calls fn for the entries named name, in the order they were given.
func (ix *nameIndex[T]) get(name string) iter.Seq[T] {
	return func(yield func(T) bool) {
		if len(ix.items) == 0 {
			return
		}
		b := maphash.String(ix.seed, name) & ix.mask
		for _, it := range ix.items[ix.start[b]:ix.start[b+1]] {
			if ix.name(it) == name && !yield(it) {
				return
			}
		}
	}
}
