# Grokking Deep Learning ch. 4, "breaking gradient descent: just give me the
# code" (seed 000), printed with repr() instead of Python 2's str().
weight = 0.5
goal_pred = 0.8
input = 0.5

for iteration in range(20):
    pred = input * weight
    error = (pred - goal_pred) ** 2
    delta = pred - goal_pred
    weight_delta = input * delta
    weight = weight - weight_delta
    print("Error:" + repr(error) + " Prediction:" + repr(pred))
