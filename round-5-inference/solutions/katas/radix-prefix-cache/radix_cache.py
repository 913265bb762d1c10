"""A token radix tree for prefix caching (SGLang RadixAttention, Zheng et al. 2024, §3)."""


class _Node:
    def __init__(self, tokens=(), parent=None):
        self.tokens = tuple(tokens)
        self.parent = parent
        self.children = {}
        self.last_used = 0


class RadixCache:
    def __init__(self):
        self.root = _Node()
        self.clock = 0

    def _tick(self):
        self.clock += 1
        return self.clock

    def size(self):
        stack, total = [self.root], 0
        while stack:
            node = stack.pop()
            total += len(node.tokens)
            stack.extend(node.children.values())
        return total

    def insert(self, tokens):
        # KATA-BEGIN: walk down matching edges; split an edge where the sequence diverges; add the rest as a leaf
        tokens = tuple(tokens)
        node, i, now = self.root, 0, self._tick()
        node.last_used = now
        while i < len(tokens):
            child = node.children.get(tokens[i])
            if child is None:
                leaf = _Node(tokens[i:], node)
                leaf.last_used = now
                node.children[tokens[i]] = leaf
                return
            common = 0
            while common < len(child.tokens) and i + common < len(tokens) and child.tokens[common] == tokens[i + common]:
                common += 1
            if common < len(child.tokens):  # split the edge
                middle = _Node(child.tokens[:common], node)
                node.children[tokens[i]] = middle
                child.tokens = child.tokens[common:]
                child.parent = middle
                middle.children[child.tokens[0]] = child
                child = middle
            child.last_used = now
            node, i = child, i + common
        # KATA-END

    def match_prefix(self, tokens):
        # KATA-BEGIN: follow edges while tokens match, to the exact token; touch every node on the way
        tokens = tuple(tokens)
        node, i, now = self.root, 0, self._tick()
        while i < len(tokens):
            child = node.children.get(tokens[i])
            if child is None:
                break
            common = 0
            while common < len(child.tokens) and i + common < len(tokens) and child.tokens[common] == tokens[i + common]:
                common += 1
            child.last_used = now
            i += common
            if common < len(child.tokens):
                break
            node = child
        return i
        # KATA-END

    def evict(self, num_tokens):
        # KATA-BEGIN: remove least-recently-used leaves until enough tokens are freed
        freed = 0
        while freed < num_tokens:
            leaves, stack = [], [self.root]
            while stack:
                node = stack.pop()
                if node is not self.root and not node.children:
                    leaves.append(node)
                stack.extend(node.children.values())
            if not leaves:
                break
            victim = min(leaves, key=lambda n: n.last_used)
            del victim.parent.children[victim.tokens[0]]
            freed += len(victim.tokens)
        return freed
        # KATA-END
