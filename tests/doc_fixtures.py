"""The small input files the docs' examples use (docs/cli.md and friends), written into each example's folder."""

FIXTURES = {
    "mi.txt": "0.42\n0.61\n0.58\n0.66\n0.31\n",
    "mi.csv": "index,mi\n1,0.42\n2,0.61\n3,0.58\n4,0.66\n5,0.31\n",
    "bad.csv": "index,value\n1,0.1\n2,0.2\n3,zero\n",
    "chain.json": '{"states": ["a", "b"], "transition": [["0.9", "0.1"], ["0.2", "0.8"]]}',
    "bsc.json": '{"states": ["0", "1"], "transition": [["0.99", "0.01"], ["0.01", "0.99"]]}',
    "partial.csv": "masked_fraction,loss_nats\n0.5,2.2\n0.9,5\n",
    "curve8.csv": "masked,loss_nats,stderr\n1,0.30,0.01\n2,0.42,0.02\n4,0.55,0.02\n8,0.60,0.03\n",
    "float64.txt": "0.1\n0.2\n0.30000000000000004\n0.123456789012345678\n",
    # benchmarks' 16-point partial curve at L = 16384 (docs/cli.md: what a noise sweep costs)
    "curve16384.csv": "masked,loss_nats\n" + "".join(f"{1024 * j},{0.5 + 6 * j / 16:.6f}\n" for j in range(1, 17)),
    "xor.json": '{"outcomes": [[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 0]], "probabilities": ["1/4", "1/4", "1/4", "1/4"]}',
}
