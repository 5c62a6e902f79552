# Grokking Deep Learning ch. 4: the same loop with input 2 (divergence), then
# with alpha 0.1 ("alpha in code", seed 000 figure f0076-01 / seed 001 §8),
# printed with repr() instead of Python 2's str().
for input, alpha in ((2.0, 1.0), (2.0, 0.1)):
    weight = 0.5
    goal_pred = 0.8
    print("input %r alpha %r" % (input, alpha))
    for iteration in range(20):
        pred = input * weight
        error = (pred - goal_pred) ** 2
        derivative = input * (pred - goal_pred)
        weight = weight - alpha * derivative
        print("Error:" + repr(error) + " Prediction:" + repr(pred))
