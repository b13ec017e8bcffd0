/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "opq.h"

#define OPQ_MIN_CAP 4096

int opq_init(struct opq *q)
{
	memset(q, 0, sizeof(*q));
	q->buf = calloc(OPQ_MIN_CAP, sizeof(*q->buf));
	q->cap = OPQ_MIN_CAP;
	return q->buf != NULL ? 0 : -ENOMEM;
}

void opq_free(struct opq *q)
{
	free(q->buf);
	q->buf = NULL;
}

/* Re-lay the live ops [tail, head) into a buffer of new_cap slots. */
static int resize(struct opq *q, uint64_t new_cap)
{
	struct cp_op *nb = malloc(new_cap * sizeof(*nb));

	if (nb == NULL)
		return -ENOMEM;
	for (uint64_t p = q->tail; p < q->head; p++)
		nb[p & (new_cap - 1)] = *opq_at(q, p);
	free(q->buf);
	q->buf = nb;
	q->cap = new_cap;
	return 0;
}

int opq_push(struct opq *q, const struct cp_op *op)
{
	if (q->head - q->tail == q->cap && resize(q, q->cap * 2) != 0)
		return -ENOMEM;
	*opq_at(q, q->head) = *op;
	q->head++;
	return 0;
}

void opq_drop_all(struct opq *q)
{
	q->tail = q->head;
	q->sent = q->head;
}

void opq_trim(struct opq *q)
{
	if (q->head == q->tail && q->cap > OPQ_MIN_CAP)
		resize(q, OPQ_MIN_CAP);
}
