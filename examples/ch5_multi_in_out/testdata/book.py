# Grokking Deep Learning ch. 5, "gradient descent with multiple inputs and
# outputs" (seed 003; the code is in figures f0092/f0093 of the book, typed in
# here), one step, run with python3. weights[i][j] is output i's weight for
# input j (the transpose of nnsimd's inputs x outputs layout).
weights = [[0.1, 0.1, -0.3],  # hurt?
           [0.1, 0.2, 0.0],   # win?
           [0.0, 1.3, 0.1]]   # sad?

def w_sum(a, b):
    output = 0
    for i in range(len(a)):
        output += (a[i] * b[i])
    return output

def vect_mat_mul(vect, matrix):
    output = [0, 0, 0]
    for i in range(len(vect)):
        output[i] = w_sum(vect, matrix[i])
    return output

def neural_network(input, weights):
    pred = vect_mat_mul(input, weights)
    return pred

def zeros_matrix(rows, cols):
    return [[0] * cols for _ in range(rows)]

def outer_prod(a, b):
    out = zeros_matrix(len(a), len(b))
    for i in range(len(a)):
        for j in range(len(b)):
            out[i][j] = a[i] * b[j]
    return out

toes = [8.5, 9.5, 9.9, 9.0]
wlrec = [0.65, 0.8, 0.8, 0.9]
nfans = [1.2, 1.3, 0.5, 1.0]

hurt = [0.1, 0.0, 0.0, 0.1]
win = [1, 1, 0, 1]
sad = [0.1, 0.0, 0.1, 0.2]

alpha = 0.01

input = [toes[0], wlrec[0], nfans[0]]
true = [hurt[0], win[0], sad[0]]

pred = neural_network(input, weights)

error = [0, 0, 0]
delta = [0, 0, 0]

for i in range(len(true)):
    error[i] = (pred[i] - true[i]) ** 2
    delta[i] = pred[i] - true[i]

weight_deltas = outer_prod(delta, input)

for i in range(len(weights)):
    for j in range(len(weights[0])):
        weights[i][j] -= alpha * weight_deltas[i][j]

print("Pred:" + str(pred))
print("Error:" + str(error))
print("Total error:" + str(sum(error)))
print("Delta:" + str(delta))
print("Weights:" + str(weights))
print("Weight Deltas:" + str(weight_deltas))
