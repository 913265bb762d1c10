"""A paged KV-cache block manager (Kwon et al. 2023, §4): free list, block tables, refcounts, CoW."""


class BlockManager:
    def __init__(self, num_blocks, block_size):
        self.block_size = block_size
        self.free_blocks = list(range(num_blocks))
        self.refs = [0] * num_blocks
        self.tables = {}
        self.tokens = {}
        self.copies = []

    def num_free(self):
        return len(self.free_blocks)

    def ref_count(self, block):
        return self.refs[block]

    def block_table(self, seq):
        return list(self.tables[seq])

    def _take(self):
        self.free_blocks.sort()
        block = self.free_blocks.pop(0)
        self.refs[block] = 1
        return block

    def allocate(self, seq, num_tokens):
        # KATA-BEGIN: take ceil(num_tokens / block_size) blocks, all or nothing
        need = -(-num_tokens // self.block_size)
        if seq in self.tables or need > len(self.free_blocks):
            return False
        self.tables[seq] = [self._take() for _ in range(need)]
        self.tokens[seq] = num_tokens
        return True
        # KATA-END

    def append(self, seq):
        # KATA-BEGIN: a new block when the last is full; copy-on-write when the last is shared
        table, count = self.tables[seq], self.tokens[seq]
        full = count % self.block_size == 0
        shared = bool(table) and self.refs[table[-1]] > 1 and not full
        if (full or shared) and not self.free_blocks:
            return False
        if full:
            table.append(self._take())
        elif shared:
            old = table[-1]
            self.refs[old] -= 1
            table[-1] = self._take()
            self.copies.append((old, table[-1]))
        self.tokens[seq] = count + 1
        return True
        # KATA-END

    def fork(self, parent, child):
        # KATA-BEGIN: share every block of the parent
        self.tables[child] = list(self.tables[parent])
        self.tokens[child] = self.tokens[parent]
        for block in self.tables[child]:
            self.refs[block] += 1
        # KATA-END

    def free(self, seq):
        # KATA-BEGIN: release the sequence's blocks; a block is free when nobody refers to it
        for block in self.tables.pop(seq):
            self.refs[block] -= 1
            if self.refs[block] == 0:
                self.free_blocks.append(block)
        del self.tokens[seq]
        # KATA-END
